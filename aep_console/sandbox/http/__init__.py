"""What every Platform call shares: the gateway rules (auth, org, sandbox) and AEP's error shapes."""
