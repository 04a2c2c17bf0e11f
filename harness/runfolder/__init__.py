"""harness/runfolder."""
