// Cosmos DB for NoSQL: one database, one container per document kind. Keys are disabled
// (disableLocalAuth), so the app reaches it only through its identity's data-plane role assignment.

@description('A container of the hub database and the path of its partition key.')
@export()
type containerSpec = {
  @description('Container id.')
  name: string

  @description('Partition key path, e.g. /modelId.')
  partitionKeyPath: string

  @description('Default time to live in seconds (-1: items never expire unless they set ttl). Omit to disable TTL.')
  defaultTtl: int?

  @description('Indexing policy (excluded paths, composite indexes for multi-key ORDER BY); omit for the default, everything indexed. docs/cosmos.md says which container needs one.')
  indexingPolicy: object?

  @description('Unique key policy (paths unique within one partition key value); only settable when the container is created.')
  uniqueKeyPolicy: object?
}

@description('Name of the Cosmos DB account.')
@minLength(3)
@maxLength(44)
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Name of the SQL (NoSQL API) database.')
param databaseName string

@description('Containers of the database with their partition keys.')
param containers containerSpec[]

@description('Serverless bills per request and suits bursty hub traffic; Provisioned gives the database shared autoscale throughput.')
@allowed([
  'Serverless'
  'Provisioned'
])
param capacityMode string

@description('Maximum autoscale throughput (RU/s) shared by all containers when capacityMode is Provisioned.')
@minValue(1000)
param autoscaleMaxThroughput int

var serverless = capacityMode == 'Serverless'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: serverless ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless accounts refuse throughput settings; provisioned ones share autoscale RU/s across containers.
    options: serverless ? {} : {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [
              container.partitionKeyPath
            ]
            kind: 'Hash'
            version: 2
          }
        },
        container.?defaultTtl == null ? {} : { defaultTtl: container.?defaultTtl },
        container.?indexingPolicy == null ? {} : { indexingPolicy: container.?indexingPolicy },
        container.?uniqueKeyPolicy == null ? {} : { uniqueKeyPolicy: container.?uniqueKeyPolicy }
      )
    }
  }
]

@description('Name of the Cosmos DB account.')
output name string = account.name

@description('Account endpoint, e.g. https://<account>.documents.azure.com:443/.')
output endpoint string = account.properties.documentEndpoint

@description('Name of the database.')
output databaseName string = database.name
