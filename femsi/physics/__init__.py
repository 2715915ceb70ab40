"""Physics as UFL pieces: measures, kinematics, swelling, elasticity, diffusion, the model."""
