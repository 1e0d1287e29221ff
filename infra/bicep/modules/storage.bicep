// One storage account for the hub: the Functions host's own storage, model files, the work queue,
// the Data Protection key ring, Flex Consumption deployment packages and Event Grid dead letters.
// Identity only: shared keys are disabled, so no connection string or account SAS can ever work.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Blob container holding model files (Storage:Azure:Blobs:ContainerName).')
param modelsContainerName string

@description('Blob container holding the ASP.NET Core Data Protection key ring.')
param dataProtectionContainerName string

@description('Blob container the Flex Consumption plan deploys the Functions package from.')
param deploymentContainerName string

@description('Blob container Event Grid writes undeliverable blob events to.')
param deadLetterContainerName string

@description('Storage queue of workflow messages (Storage:Azure:Queues:QueueName).')
param workQueueName string

@description('Storage queue of messages that failed too often (Storage:Azure:Queues:PoisonQueueName).')
param poisonQueueName string

@description('Origins (scheme://host[:port]) allowed to call the blob service from a browser: the static web frontend uploading chunks with a SAS.')
param corsAllowedOrigins array

@description('Prefix, inside the models container, under which uploads are staged before they become a ready version; blobs left there longer than abandonedUploadRetentionDays are deleted.')
param uploadStagingPrefix string

@description('Days after which a staged upload that was never promoted counts as abandoned and is deleted.')
@minValue(1)
param abandonedUploadRetentionDays int

@description('Days deleted blobs and containers stay recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int

@description('Days a previous (noncurrent) blob version is kept before the lifecycle policy deletes it.')
@minValue(1)
param noncurrentVersionRetentionDays int

@description('Days an undeliverable Event Grid event is kept in the dead-letter container.')
@minValue(1)
param deadLetterRetentionDays int = 30

@description('Storage redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string = 'Standard_LRS'

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    cors: {
      // Browsers upload chunks (Put Block) and read files straight from blob storage with a SAS for one
      // blob; only the frontend's origin may do so. Authentication is the SAS in the query string.
      corsRules: empty(corsAllowedOrigins) ? [] : [
        {
          allowedOrigins: corsAllowedOrigins
          allowedMethods: [
            'GET'
            'HEAD'
            'PUT'
            'OPTIONS'
          ]
          allowedHeaders: [
            'content-type'
            'content-length'
            'content-md5'
            'content-encoding'
            'content-language'
            'range'
            'if-match'
            'if-none-match'
            'x-ms-blob-type'
            'x-ms-*'
          ]
          exposedHeaders: [
            'etag'
            'last-modified'
            'content-length'
            'content-md5'
            'content-range'
            'accept-ranges'
            'x-ms-*'
          ]
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for container in [modelsContainerName, dataProtectionContainerName, deploymentContainerName, deadLetterContainerName]: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queue in [workQueueName, poisonQueueName]: {
    parent: queueService
    name: queue
  }
]

// Lifecycle management only sees committed blobs. Uploads arrive as uncommitted blocks (Put Block with a
// one-blob SAS); blocks that are never committed are discarded by the service itself after 7 days, so no
// rule is needed (or possible) for them. What a rule can catch is an upload that was committed under the
// staging prefix but never promoted to a ready version (a crash between commit and verification, or a
// client that committed its own block list): those are deleted here after abandonedUploadRetentionDays.
// The hub's UploadExpiry timer is the primary clean-up; this policy is the backstop.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-abandoned-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${modelsContainerName}/${uploadStagingPrefix}'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: abandonedUploadRetentionDays
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: abandonedUploadRetentionDays
                }
              }
            }
          }
        }
        {
          // Versioning protects model files against overwrite; old versions are only kept for a while.
          name: 'expire-noncurrent-model-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${modelsContainerName}/'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: noncurrentVersionRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'expire-event-dead-letters'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${deadLetterContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: deadLetterRetentionDays
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
            }
          }
        }
      ]
    }
  }
}

@description('Resource id of the storage account.')
output id string = account.id

@description('Name of the storage account.')
output name string = account.name

@description('Blob service endpoint without a trailing slash, e.g. https://<account>.blob.core.windows.net.')
output blobServiceUri string = 'https://${account.name}.blob.${environment().suffixes.storage}'

@description('Queue service endpoint without a trailing slash, e.g. https://<account>.queue.core.windows.net.')
output queueServiceUri string = 'https://${account.name}.queue.${environment().suffixes.storage}'
