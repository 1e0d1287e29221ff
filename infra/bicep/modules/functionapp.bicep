// The Functions app that runs the hub as a custom handler (Linux, runtime "custom"): Flex Consumption by
// default, Elastic Premium on request. The hub's own settings come in as hubSettings; this module adds the
// Functions host's settings (identity-based AzureWebJobsStorage and WorkQueue connections, telemetry, and
// the worker runtime where the plan takes it as an app setting).

@description('Name of the Function App.')
param name string

@description('Name of the hosting plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object

@description('Service name azd deploys to this app (tag azd-service-name).')
param azdServiceName string

@description('FlexConsumption (per-execution billing, scale to zero) or ElasticPremium (always-ready instances, no cold start).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

@description('Elastic Premium SKU, used when hostingPlan is ElasticPremium.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param elasticPremiumSku string

@description('Most instances the app scales out to (main.bicep checks the plan\'s range: Flex Consumption 40-1000, Elastic Premium 1-100).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance on Flex Consumption, in MB.')
@allowed([
  512
  2048
  4096
])
param flexInstanceMemoryMB int

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Name of the storage account used as the host\'s storage and the work queue\'s account.')
param storageAccountName string

@description('Blob service endpoint of that account, without a trailing slash.')
param blobServiceUri string

@description('Queue service endpoint of that account, without a trailing slash.')
param queueServiceUri string

@description('Blob container the Flex Consumption plan deploys the package from.')
param deploymentContainerName string

@description('Connection string (ingestion endpoint) of Application Insights.')
param applicationInsightsConnectionString string

@description('The hub\'s own settings (Storage__*, Auth__*, AzureAd__*, GitHub__*, ...), already in app-setting form.')
param hubSettings object

var flex = hostingPlan == 'FlexConsumption'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex ? {
    name: 'FC1'
    tier: 'FlexConsumption'
  } : {
    name: elasticPremiumSku
    tier: 'ElasticPremium'
  }
  properties: union(
    {
      reserved: true // Linux
    },
    flex ? {} : {
      maximumElasticWorkerCount: maximumInstanceCount
    }
  )
}

// Settings the Functions host reads. Identity-based connections: <connection>__credential=managedidentity
// plus the user-assigned identity's client id; no account keys anywhere.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The WorkflowQueue trigger's connection ("connection": "WorkQueue" in its function.json).
  WorkQueue__queueServiceUri: queueServiceUri
  WorkQueue__credential: 'managedidentity'
  WorkQueue__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  // Application Insights has local auth disabled: the host authenticates its telemetry with the identity.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential picks the user-assigned identity from this variable.
  AZURE_CLIENT_ID: identityClientId
}

// Flex Consumption takes the runtime from functionAppConfig and refuses these as app settings;
// Elastic Premium needs them. The Linux Premium app runs from its package without an Azure Files content
// share, because a content share needs an account key (shared keys are disabled).
var premiumSettings = flex ? {} : {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  WEBSITE_RUN_FROM_PACKAGE: '1'
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': azdServiceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: union(
    {
      serverFarmId: plan.id
      httpsOnly: true
      // Key Vault references (GitHub__DefaultToken) resolve with the user-assigned identity.
      keyVaultReferenceIdentity: identityId
      siteConfig: union(
        {
          minTlsVersion: '1.2'
          ftpsState: 'Disabled'
          http20Enabled: true
        },
        flex ? {} : {
          linuxFxVersion: ''
          minimumElasticInstanceCount: 1
          functionAppScaleLimit: maximumInstanceCount
        }
      )
    },
    flex ? {
      functionAppConfig: {
        deployment: {
          storage: {
            type: 'blobContainer'
            value: '${blobServiceUri}/${deploymentContainerName}'
            authentication: {
              type: 'UserAssignedIdentity'
              userAssignedIdentityResourceId: identityId
            }
          }
        }
        scaleAndConcurrency: {
          maximumInstanceCount: maximumInstanceCount
          instanceMemoryMB: flexInstanceMemoryMB
        }
        runtime: {
          name: 'custom'
          version: '1.0'
        }
      }
    } : {}
  )
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(hubSettings, hostSettings, premiumSettings)
}

// Deployments authenticate with Entra ID (azd and the Azure CLI do); publishing passwords stay off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Resource id of the Function App.')
output id string = app.id

@description('Name of the Function App.')
output name string = app.name

@description('HTTPS address of the Function App.')
output url string = 'https://${app.properties.defaultHostName}'
