"""A local SAML identity provider that behaves like BundID (or Mein Unternehmenskonto) – for development and tests.

Test-IdP – nicht für den Echtbetrieb: it signs with keys that are public in this repository, lets anyone pick who
they are, and answers with deliberately broken responses on request. See README.md.
"""
