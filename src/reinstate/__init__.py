"""reinstate: Amazon account-health analysis and Plan of Action toolkit."""
__version__ = "0.1.0"
