# worker.py is a script run by the 2-process test in its own interpreter, never imported here.
collect_ignore = ["worker.py"]
