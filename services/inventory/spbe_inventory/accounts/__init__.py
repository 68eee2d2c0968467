"""Accounts of people and services, their API tokens and web sessions."""
