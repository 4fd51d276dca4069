"""The AEP services the sandbox serves, one module or package each, named as the client modules in ``aep/``."""
