// The static web frontend. Standard SKU: linking a Function App as the /api backend requires it.

@description('Name of the static web app.')
param name string

@description('Azure region of the static web app (a region Static Web Apps is offered in).')
param location string

@description('Tags applied to the static web app (it also gets azd-service-name).')
param tags object

@description('Service name azd deploys the frontend to (tag azd-service-name).')
param azdServiceName string

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': azdServiceName
  })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Enabled'
  }
}

@description('Name of the static web app.')
output name string = site.name

@description('Origin of the frontend, e.g. https://<name>.azurestaticapps.net.')
output origin string = 'https://${site.properties.defaultHostname}'
