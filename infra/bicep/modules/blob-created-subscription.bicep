// Delivers Microsoft.Storage.BlobCreated events for the models container to the BlobCreated function.
// Event Grid checks that the function exists when the subscription is created, so this module can only
// be deployed after the Functions package has been published (main.bicep's blobCreatedSubscriptionEnabled).
// BlobCreated fires when a blob is committed (Put Blob / Put Block List), never for single uncommitted blocks.
// The function only completes staged uploads (UploadService.HandleBlobCreatedAsync ignores every other key),
// so the filter narrows to the staging prefix: the hub's own copies into models/... raise no events.

@description('Name of the Event Grid system topic over the storage account.')
param systemTopicName string

@description('Name of the Function App hosting the BlobCreated function.')
param functionAppName string

@description('Name of the function with the eventGridTrigger binding.')
param functionName string = 'BlobCreated'

@description('Blob container whose new blobs are reported.')
param containerName string

@description('Prefix of the blob names, inside the container, whose creation is reported: the upload staging prefix. Published copies (models/..., datasets/...) are written by the hub itself and need no event.')
param blobPrefix string

@description('Name of the storage account that receives dead letters.')
param storageAccountName string

@description('Blob container that receives events Event Grid could not deliver.')
param deadLetterContainerName string

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'blob-created-${containerName}'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/blobs/${blobPrefix}'
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

@description('Name of the event subscription.')
output name string = subscription.name
