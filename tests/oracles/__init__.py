"""Independent numpy references for the test suite (one home per oracle).

An oracle never imports ``jaxqring``: each module here rebuilds the physics from SPEC with plain
numpy/scipy (or a peer simulator such as quimb or stim), so that a test compares the package with
something it did not write.
"""
