"""Account-health metrics computed the way Amazon computes them."""
