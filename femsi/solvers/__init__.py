"""PETSc option sets, the Newton driver and the protocol's boundary conditions."""
