# azd postdeploy hook (Windows): see enable-blob-events.sh.
$ErrorActionPreference = 'Stop'
$enabled = azd env get-value BLOB_CREATED_SUBSCRIPTION_ENABLED 2>$null
if ($LASTEXITCODE -eq 0 -and $enabled -eq 'true') { exit 0 }
azd env set BLOB_CREATED_SUBSCRIPTION_ENABLED true
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
azd provision --no-prompt
exit $LASTEXITCODE
