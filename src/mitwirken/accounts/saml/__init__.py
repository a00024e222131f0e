"""The portal as a SAML 2.0 service provider for BundID and Mein Unternehmenskonto (see docs/identity.md)."""
