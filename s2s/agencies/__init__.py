"""Agencies at work: exchange agreements, named jobs and Operation Encompass (issue 16)."""
