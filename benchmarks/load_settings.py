"""Settings for benchmarks/load.py: the production settings, a bare view, and a proxy in front.

gunicorn runs the app with these settings only during the load benchmark; the production
URLconf never has the bare view (the isolation test walks every URL of fii.urls).
"""

import warnings

from fii.settings import *  # noqa: F403

# Static files come from static/ through the finders (STATIC_MANIFEST=0): no collected folder.
warnings.filterwarnings("ignore", message="No directory at")

ROOT_URLCONF = "load_urls"  # benchmarks/ is on the path of the server and the script

# The load client plays many phones behind one reverse proxy, as production runs: it sends
# X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) and X-Forwarded-For, which allauth's per-address
# rate limits (30 logins a minute per address) then read instead of the proxy's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = 1
