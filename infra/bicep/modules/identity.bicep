// The app's user-assigned managed identity: the only credential the Function App uses for its data plane
// (storage, queues, Cosmos DB, Key Vault, Application Insights).

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) id of the identity, used by DefaultAzureCredential and identity-based connections.')
output clientId string = identity.properties.clientId

@description('Principal (object) id of the identity, used by role assignments.')
output principalId string = identity.properties.principalId
