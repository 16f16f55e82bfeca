"""Merchandising: rules a shop sets on top of ranking (bury, boost, pin) and where they are kept."""
