"""Parameter sweeps: many runs of one base study, locally or as a Slurm job array.

A sweep file names a base study and the config keys to vary (:mod:`femsi.sweeps.spec`). The
expanded runs are written to ``DIR/sweep.json`` and each run is done by
``femsi sweep-task DIR INDEX`` (:mod:`femsi.sweeps.task`), which claims its run folder
atomically (:mod:`femsi.sweeps.claims`), so a local process pool (:mod:`femsi.sweeps.local`),
a Slurm job array (:mod:`femsi.sweeps.slurm`) or both at once can work on one sweep safely.
``femsi status``, ``collect`` and ``report`` read the run folders.
"""
