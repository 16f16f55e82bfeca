"""Running NVIDIA Triton Inference Server locally from the pip-installed binary (nvidia-pytriton).

`install` finds the binary and builds the python-backend directory and environment, `repository` prepares
the runtime model repository (a copy of `model_repository/` with settings written into the configs), and
`launcher` starts, waits for, and stops the server. Production runs the official container instead and
only needs `engine.inference.triton` to talk to it.
"""
