"""The runner's pages, one module a job; programs/runner/urls.py maps them."""
