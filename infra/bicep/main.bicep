// ModelsHub on Azure: everything the hub needs, identity-only (no account keys, connection strings or
// SAS in any setting). Deploys at subscription scope into one resource group, azd-style:
//   azd up     or     az deployment sub create --location <loc> --template-file infra/bicep/main.bicep \
//                        --parameters infra/bicep/main.parameters.json environmentName=<env> ...
// One module per resource family under modules/; all role assignments live in modules/rbac.bicep.
targetScope = 'subscription'

import { containerSpec } from 'modules/cosmos.bicep'

// --- Environment ----------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd: AZURE_ENV_NAME); seeds the unique suffix of every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region of the resources. Flex Consumption is offered in a subset of regions; check before choosing.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group; empty: rg-<environmentName>.')
param resourceGroupName string = ''

// --- Function App ---------------------------------------------------------------------------------

@description('Hosting plan of the Functions app: FlexConsumption (default; scale to zero) or ElasticPremium (always-ready instances).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string = 'FlexConsumption'

@description('Elastic Premium SKU, used when hostingPlan is ElasticPremium.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param elasticPremiumSku string = 'EP1'

@description('Most instances the Functions app scales out to: 40-1000 on Flex Consumption, 1-100 on Elastic Premium (checked below; a value outside the plan\'s range fails the deployment before anything is created).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance on Flex Consumption, in MB.')
@allowed([
  512
  2048
  4096
])
param flexInstanceMemoryMB int = 2048

// --- Storage --------------------------------------------------------------------------------------

@description('Redundancy SKU of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Blob container of model files (Storage:Azure:Blobs:ContainerName).')
param modelsContainerName string = 'models'

@description('Storage queue of workflow messages (Storage:Azure:Queues:QueueName); must match the WorkflowQueue trigger\'s queueName.')
param workQueueName string = 'workflows'

@description('Storage queue where the hub puts workflow messages it gave up on (Storage:Azure:Queues:PoisonQueueName); not <queue>-poison, which the Functions host\'s queue trigger uses for its own.')
param poisonQueueName string = 'workflows-failed'

@description('Prefix inside the models container where the hub stages uploads until they are verified and promoted (src/Core/Storage/BlobKeys.cs, UploadsPrefix); the lifecycle policy deletes what is left there and only blobs under it raise BlobCreated events.')
param uploadStagingPrefix string = 'uploads/'

@description('Days after which a staged upload that was never promoted is deleted by the lifecycle policy.')
@minValue(1)
param abandonedUploadRetentionDays int = 7

@description('Days deleted blobs and containers stay recoverable (blob soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionDays int = 7

@description('Days a previous version of a model blob is kept (blob versioning) before the lifecycle policy deletes it.')
@minValue(1)
param noncurrentVersionRetentionDays int = 30

// --- Cosmos DB ------------------------------------------------------------------------------------

@description('Cosmos DB capacity: Serverless (default, per request) or Provisioned (shared autoscale throughput).')
@allowed([
  'Serverless'
  'Provisioned'
])
param cosmosCapacityMode string = 'Serverless'

@description('Maximum autoscale RU/s shared by the containers when cosmosCapacityMode is Provisioned.')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Name of the Cosmos DB database (Storage:Azure:Cosmos:DatabaseName).')
param cosmosDatabaseName string = 'modelshub'

@description('Containers of the hub database and their partition keys; keep in line with docs/cosmos.md.')
param cosmosContainers containerSpec[] = [
  {
    name: 'models'
    partitionKeyPath: '/id'
    // The catalog sorts by date then id (a composite index per order: the adapter's ORDER BY needs it),
    // and never filters on README, spec text, description or the stored list summary.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/readme/?' }
        { path: '/specText/?' }
        { path: '/description/?' }
        { path: '/summary/*' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
        [
          { path: '/updatedUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/updatedUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  { name: 'users', partitionKeyPath: '/id' }
  {
    name: 'versions'
    partitionKeyPath: '/modelId'
    // A model's versions list oldest first by (createdUs, id); the version's JSON text is never filtered on.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/text/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'uploads'
    partitionKeyPath: '/modelId'
    // One active session per file (unique within the model's partition); sessions list by
    // (createdUs, id), the sweeper reads them by (dueMs, id).
    uniqueKeyPolicy: {
      uniqueKeys: [
        { paths: [ '/activeKey' ] }
      ]
    }
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/text/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
        [
          { path: '/dueMs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/dueMs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'workflows'
    partitionKeyPath: '/id'
    // The sweeper lists due instances by (nextAttemptMs, id).
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/nextAttemptMs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/nextAttemptMs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'submissions'
    partitionKeyPath: '/modelId'
    // One revision number per model (unique within the model's partition); the reviewers' queue
    // sorts by (submittedUs, id); the submission's own JSON text is never filtered on.
    uniqueKeyPolicy: {
      uniqueKeys: [
        { paths: [ '/revision' ] }
      ]
    }
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/text/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/submittedUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/submittedUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  { name: 'audit', partitionKeyPath: '/modelId' }
  { name: 'syncRuns', partitionKeyPath: '/id' }
  {
    name: 'webhooks'
    partitionKeyPath: '/id'
    // Webhooks by id; owners' listings and the active ones an event is matched against sort by (createdUs, id).
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'webhookDeliveries'
    partitionKeyPath: '/webhookId'
    // A webhook's deliveries in one partition, newest first by (createdUs, id); the payload text is never filtered on.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/text/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  { name: 'imports', partitionKeyPath: '/id' }
  {
    name: 'datasets'
    partitionKeyPath: '/id'
    // Listings sort by name, or by date then id (a composite index per order); the description is never filtered on.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/description/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
        [
          { path: '/updatedUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/updatedUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'trainingJobs'
    partitionKeyPath: '/id'
    // Jobs list newest first (date then id, a composite index per order); log lines, hyperparameters and the encrypted token are never filtered on.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/lastLogLines/*' }
        { path: '/hyperparameters/*' }
        { path: '/protectedToken/?' }
        { path: '/"_etag"/?' }
      ]
      compositeIndexes: [
        [
          { path: '/createdUs', order: 'ascending' }
          { path: '/id', order: 'ascending' }
        ]
        [
          { path: '/createdUs', order: 'descending' }
          { path: '/id', order: 'descending' }
        ]
      ]
    }
  }
  {
    name: 'trainingEvents'
    // One partition per job and thousand sequence numbers ({jobId}:{seq / 1000}): a busy job never grows one partition without bound.
    partitionKeyPath: '/page'
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/line/*' }
        { path: '/"_etag"/?' }
      ]
    }
  }
  { name: 'downloads', partitionKeyPath: '/id' }
  // Personal access tokens keyed by the hash of their secret: a request's token is one point read.
  { name: 'accessTokens', partitionKeyPath: '/id' }
  {
    name: 'usageCalls'
    partitionKeyPath: '/model'
    // Each recorded call carries its own ttl (Usage:CallRetention); -1 turns TTL on without a container default.
    defaultTtl: -1
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/call/*' }
        { path: '/"_etag"/?' }
      ]
    }
  }
  {
    name: 'usageRollups'
    partitionKeyPath: '/model'
    // Reports filter on hour, user and model; the counters are read, never filtered on.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        { path: '/*' }
      ]
      excludedPaths: [
        { path: '/counters/*' }
        { path: '/"_etag"/?' }
      ]
    }
  }
]

// --- Sign-in (Entra ID) ---------------------------------------------------------------------------

@description('Entra ID instance (AzureAd:Instance); for External ID use https://<tenant>.ciamlogin.com/. Empty: the cloud\'s login endpoint.')
param entraInstance string = ''

@description('Directory (tenant) id of the API\'s app registration (AzureAd:TenantId). Empty: the tenant of the deployment.')
param entraTenantId string = ''

@minLength(1)
@description('Application (client) id of the "ModelsHub API" app registration (AzureAd:ClientId); see the README\'s Entra section.')
param entraApiClientId string

@description('Accepted token audience (AzureAd:Audience), the Application ID URI; empty: api://<entraApiClientId>.')
param entraApiAudience string = ''

// --- GitHub ---------------------------------------------------------------------------------------

@description('GitHub REST API address (GitHub:ApiUrl); GitHub Enterprise Server: https://<host>/api/v3.')
param gitHubApiUrl string = 'https://api.github.com'

@description('The model repository the hub opens pull requests against, owner/name (GitHub:Repository).')
param gitHubRepository string = 'xorbitsai/inference'

@description('Branch pull requests target (GitHub:BaseBranch).')
param gitHubBaseBranch string = 'main'

@secure()
@description('The hub\'s default GitHub token, stored as a Key Vault secret; empty keeps the stored one (set it later with az keyvault secret set).')
param gitHubDefaultToken string = ''

@secure()
@description('The secret of the model repository\'s webhook (pull_request events to /api/github/webhook), stored as a Key Vault secret; empty keeps the stored one. Without it the hub follows pull requests by polling only.')
param gitHubWebhookSecret string = ''

// --- Hugging Face ---------------------------------------------------------------------------------

@description('The Hugging Face Hub imports read from (HuggingFace:Endpoint), or a mirror that serves the same API.')
param huggingFaceEndpoint string = 'https://huggingface.co'

// --- Upstream sync --------------------------------------------------------------------------------

@description('Six-field NCRONTAB schedule of the upstream sync timer (Sync:Schedule); hourly by default.')
param syncSchedule string = '0 0 * * * *'

@description('Git ref of the model repository the upstream sync reads (Sync:Ref).')
param syncRef string = 'main'

// --- Workflows ------------------------------------------------------------------------------------

@description('Six-field NCRONTAB schedule of the sweeper that re-enqueues overdue workflows (Workflows:SweeperSchedule); every minute by default.')
param workflowSweeperSchedule string = '0 * * * * *'

// --- Uploads --------------------------------------------------------------------------------------

@description('Six-field NCRONTAB schedule of the UploadExpiry timer that cleans expired uploads and orphans (Uploads:ExpirySchedule); daily at 03:30 by default.')
param uploadExpirySchedule string = '0 30 3 * * *'

// --- Frontend -------------------------------------------------------------------------------------

@description('Region of the static web app (Static Web Apps is offered in fewer regions); empty: location when offered there, else westeurope.')
param staticWebAppLocation string = ''

@description('Link the Function App to the static web app as its /api backend.')
param linkStaticWebAppBackend bool = true

@description('The hub\'s public address (Hub:PublicBaseUrl, used in links); empty: the static web app\'s address.')
param publicBaseUrl string = ''

@description('Further browser origins (custom domains of the frontend) allowed by the API\'s CORS policy and the blob service\'s CORS rules.')
param additionalFrontendOrigins string[] = []

// --- Events ---------------------------------------------------------------------------------------

@description('Create the Event Grid subscription that delivers BlobCreated events to the BlobCreated function. Event Grid requires the function to exist, so leave false until the Functions package is published (azd sets it in the postdeploy hook).')
param blobCreatedSubscriptionEnabled bool = false

// --- Key Vault ------------------------------------------------------------------------------------

@description('Purge protection on the key vault (recommended: the Data Protection key must not be lost). Note that a purge-protected vault name stays reserved for its retention period after deletion.')
param keyVaultPurgeProtection bool = true

// --- The deploying principal ----------------------------------------------------------------------

@description('Object id of the deploying user or service principal (azd: AZURE_PRINCIPAL_ID); used only when grantDeployerAccess is true.')
param principalId string = ''

@description('Kind of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Grant principalId data-plane roles (blobs, queues, Cosmos DB, Key Vault secrets) for setting the GitHub token and debugging; off in production.')
param grantDeployerAccess bool = false

// --- Names ----------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var staticWebAppRegions = [
  'centralus'
  'eastus2'
  'eastasia'
  'westeurope'
  'westus2'
]
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-func-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  cosmos: 'cosmos-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  staticWebApp: 'swa-${resourceToken}'
  systemTopic: 'evgt-${resourceToken}'
}
var containers = {
  dataProtection: 'dataprotection'
  deployment: 'function-packages'
  deadLetter: 'eventgrid-deadletter'
}
var gitHubTokenSecretName = 'github-default-token'
var gitHubWebhookSecretName = 'github-webhook-secret'
var dataProtectionKeyName = 'dataprotection'
var azdApiService = 'api'
var azdWebService = 'web'

// @minValue/@maxValue cannot depend on another parameter, so the plan's own range is checked here:
// Flex Consumption accepts 40-1000 instances, Elastic Premium at most 100. fail() stops the deployment
// (and bicep snapshot) with the message instead of letting the resource provider reject it half-way.
var flexInstanceRange = {
  min: 40
  max: 1000
}
var premiumInstanceRange = {
  min: 1
  max: 100
}
var instanceRange = hostingPlan == 'FlexConsumption' ? flexInstanceRange : premiumInstanceRange
var checkedMaximumInstanceCount = maximumInstanceCount >= instanceRange.min && maximumInstanceCount <= instanceRange.max
  ? maximumInstanceCount
  : fail('maximumInstanceCount must be between ${instanceRange.min} and ${instanceRange.max} on ${hostingPlan} (it is ${maximumInstanceCount}).')

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module staticWebApp 'modules/staticwebapp.bicep' = {
  name: 'staticWebApp'
  scope: rg
  params: {
    name: names.staticWebApp
    location: !empty(staticWebAppLocation) ? staticWebAppLocation : (contains(staticWebAppRegions, location) ? location : 'westeurope')
    tags: tags
    azdServiceName: azdWebService
  }
}

var frontendOrigins = concat([staticWebApp.outputs.origin], additionalFrontendOrigins)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSkuName
    modelsContainerName: modelsContainerName
    dataProtectionContainerName: containers.dataProtection
    deploymentContainerName: containers.deployment
    deadLetterContainerName: containers.deadLetter
    workQueueName: workQueueName
    poisonQueueName: poisonQueueName
    corsAllowedOrigins: frontendOrigins
    uploadStagingPrefix: uploadStagingPrefix
    abandonedUploadRetentionDays: abandonedUploadRetentionDays
    softDeleteRetentionDays: blobSoftDeleteRetentionDays
    noncurrentVersionRetentionDays: noncurrentVersionRetentionDays
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containers: cosmosContainers
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    gitHubTokenSecretName: gitHubTokenSecretName
    gitHubToken: gitHubDefaultToken
    gitHubWebhookSecretName: gitHubWebhookSecretName
    gitHubWebhookSecret: gitHubWebhookSecret
    dataProtectionKeyName: dataProtectionKeyName
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module events 'modules/events.bicep' = {
  name: 'events'
  scope: rg
  params: {
    name: names.systemTopic
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    eventGridPrincipalId: events.outputs.principalId
    storageAccountName: storage.outputs.name
    deadLetterContainerName: containers.deadLetter
    cosmosAccountName: cosmos.outputs.name
    keyVaultName: keyVault.outputs.name
    dataProtectionKeyName: keyVault.outputs.dataProtectionKeyName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    grantDeployerAccess: grantDeployerAccess
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// The hub's settings (docs/ARCHITECTURE.md, "Azure settings"), in Linux app-setting form: ':' is '__'.
// src/Functions/Hosting/ProductionSettings.cs lists the ones production requires; a test holds this
// template to that list.
var hubSettings = union(
  {
    Storage__Profile: 'Azure'
    Storage__Azure__ManagedIdentityClientId: identity.outputs.clientId
    Storage__Azure__Cosmos__AccountEndpoint: cosmos.outputs.endpoint
    Storage__Azure__Cosmos__DatabaseName: cosmos.outputs.databaseName
    Storage__Azure__Blobs__ServiceUri: storage.outputs.blobServiceUri
    Storage__Azure__Blobs__ContainerName: modelsContainerName
    Storage__Azure__Queues__ServiceUri: storage.outputs.queueServiceUri
    Storage__Azure__Queues__QueueName: workQueueName
    Storage__Azure__Queues__PoisonQueueName: poisonQueueName
    Auth__Mode: 'Entra'
    AzureAd__Instance: !empty(entraInstance) ? entraInstance : environment().authentication.loginEndpoint
    AzureAd__TenantId: !empty(entraTenantId) ? entraTenantId : tenant().tenantId
    AzureAd__ClientId: entraApiClientId
    AzureAd__Audience: !empty(entraApiAudience) ? entraApiAudience : 'api://${entraApiClientId}'
    GitHub__ApiUrl: gitHubApiUrl
    GitHub__Repository: gitHubRepository
    GitHub__BaseBranch: gitHubBaseBranch
    GitHub__DefaultToken: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.gitHubTokenSecretUri})'
    GitHub__WebhookSecret: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.gitHubWebhookSecretUri})'
    DataProtection__KeyRingBlobUri: '${storage.outputs.blobServiceUri}/${containers.dataProtection}/keys.xml'
    DataProtection__KeyVaultKeyId: keyVault.outputs.dataProtectionKeyId
    Sync__Schedule: syncSchedule
    Sync__Ref: syncRef
    HuggingFace__Endpoint: huggingFaceEndpoint
    Workflows__SweeperSchedule: workflowSweeperSchedule
    Uploads__ExpirySchedule: uploadExpirySchedule
    Hub__PublicBaseUrl: !empty(publicBaseUrl) ? publicBaseUrl : staticWebApp.outputs.origin
  },
  // A list binds from indexed keys: Cors__AllowedOrigins__0, Cors__AllowedOrigins__1, ...
  toObject(range(0, length(frontendOrigins)), i => 'Cors__AllowedOrigins__${i}', i => frontendOrigins[i])
)

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  scope: rg
  // Start the app once its identity holds its roles, so the first start can reach storage and Key Vault.
  dependsOn: [
    rbac
  ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    azdServiceName: azdApiService
    hostingPlan: hostingPlan
    elasticPremiumSku: elasticPremiumSku
    maximumInstanceCount: checkedMaximumInstanceCount
    flexInstanceMemoryMB: flexInstanceMemoryMB
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobServiceUri: storage.outputs.blobServiceUri
    queueServiceUri: storage.outputs.queueServiceUri
    deploymentContainerName: containers.deployment
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    hubSettings: hubSettings
  }
}

module staticWebAppBackend 'modules/staticwebapp-backend.bicep' = if (linkStaticWebAppBackend) {
  name: 'staticWebAppBackend'
  scope: rg
  params: {
    staticWebAppName: staticWebApp.outputs.name
    functionAppId: functionApp.outputs.id
    functionAppLocation: location
  }
}

module blobCreatedSubscription 'modules/blob-created-subscription.bicep' = if (blobCreatedSubscriptionEnabled) {
  name: 'blobCreatedSubscription'
  scope: rg
  // The dead-letter destination is written with the topic's identity, which needs its role first.
  dependsOn: [
    rbac
  ]
  params: {
    systemTopicName: events.outputs.name
    functionAppName: functionApp.outputs.name
    containerName: modelsContainerName
    blobPrefix: uploadStagingPrefix
    storageAccountName: storage.outputs.name
    deadLetterContainerName: containers.deadLetter
  }
}

// --- Outputs (azd stores them in the environment) -------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_STATIC_WEB_APP_NAME string = staticWebApp.outputs.name
output AZURE_STATIC_WEB_APP_URL string = staticWebApp.outputs.origin
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobServiceUri
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueServiceUri
output AZURE_STORAGE_MODELS_CONTAINER string = modelsContainerName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE_NAME string = cosmos.outputs.databaseName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output GITHUB_TOKEN_SECRET_NAME string = gitHubTokenSecretName
@description('Key Vault secret that holds the model repository webhook\'s secret (GitHub:WebhookSecret).')
output GITHUB_WEBHOOK_SECRET_NAME string = gitHubWebhookSecretName
output DATA_PROTECTION_KEY_ID string = keyVault.outputs.dataProtectionKeyId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output EVENT_GRID_SYSTEM_TOPIC_NAME string = events.outputs.name
output BLOB_CREATED_SUBSCRIPTION_ENABLED bool = blobCreatedSubscriptionEnabled
