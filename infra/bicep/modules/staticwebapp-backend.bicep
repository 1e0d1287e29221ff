// Links the Function App to the static web app: requests to <frontend>/api/* are proxied to it.

@description('Name of the static web app.')
param staticWebAppName string

@description('Resource id of the Function App to link.')
param functionAppId string

@description('Region of the Function App.')
param functionAppLocation string

resource site 'Microsoft.Web/staticSites@2024-04-01' existing = {
  name: staticWebAppName
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: site
  name: 'backend'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}

@description('Name of the linked backend.')
output name string = backend.name
