// Event Grid system topic over the storage account. Its system-assigned identity writes dead letters
// to the storage account (role assigned in rbac.bicep), so no key or SAS is involved there either.

@description('Name of the system topic.')
param name string

@description('Azure region of the system topic (the storage account\'s region).')
param location string

@description('Tags applied to the system topic.')
param tags object

@description('Name of the storage account whose events the topic publishes.')
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

@description('Name of the system topic.')
output name string = topic.name

@description('Principal id of the topic\'s system-assigned identity (dead-letter writer).')
output principalId string = topic.identity.principalId
