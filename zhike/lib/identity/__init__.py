"""Who is this sender: identity from the channel, never from what the customer types.

* :mod:`zhike.lib.identity.assertion` -- HMAC-signed identity assertions that zhike's own
  channels put into the Rasa message metadata (key ``zhike_identity``);
* :mod:`zhike.lib.identity.tokens` -- verification of the company app's login tokens (JWT);
* :mod:`zhike.lib.identity.resolver` -- :func:`resolve_identity`, what actions call.

Importing this package reads no environment variable and opens no connection; secrets
are read once at start-up by the caller and passed in explicitly.
"""
