#!/bin/sh
# azd postdeploy hook. Event Grid refuses a subscription to a function that does not exist yet, so the
# first `azd up` provisions without the BlobCreated subscription; once the Functions package is deployed,
# this turns it on and provisions again (once: later runs find it enabled and do nothing).
set -eu
if [ "$(azd env get-value BLOB_CREATED_SUBSCRIPTION_ENABLED 2>/dev/null || true)" = "true" ]; then
  exit 0
fi
azd env set BLOB_CREATED_SUBSCRIPTION_ENABLED true
azd provision --no-prompt
