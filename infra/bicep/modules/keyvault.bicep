// Key Vault in RBAC mode: the hub's default GitHub token (a secret the app reads through a Key Vault
// reference) and the RSA key that wraps the ASP.NET Core Data Protection key ring (which in turn
// encrypts users' GitHub tokens). Access is by role assignment only; there are no access policies.

@description('Name of the key vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the key vault.')
param location string

@description('Tags applied to the key vault.')
param tags object

@description('Name of the secret that holds the hub\'s default GitHub token.')
param gitHubTokenSecretName string

@description('The hub\'s default GitHub token. Empty leaves the secret as it is (set it later with az keyvault secret set).')
@secure()
param gitHubToken string

@description('Name of the secret that holds the model repository webhook\'s secret (GitHub:WebhookSecret).')
param gitHubWebhookSecretName string

@description('The model repository webhook\'s secret. Empty leaves the secret as it is.')
@secure()
param gitHubWebhookSecret string

@description('Name of the RSA key that wraps the Data Protection key ring.')
param dataProtectionKeyName string

@description('Purge protection: a deleted vault and its keys cannot be purged during the retention period. Recommended for production, since losing the Data Protection key makes every stored user token unreadable.')
param enablePurgeProtection bool

@description('Days a deleted vault, secret or key stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The API refuses false once enabled, so "off" is expressed by leaving the property out.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Only written when a value is given, so a redeployment without the parameter keeps the stored token.
resource gitHubTokenSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(gitHubToken)) {
  parent: vault
  name: gitHubTokenSecretName
  properties: {
    value: gitHubToken
    contentType: 'text/plain'
  }
}

resource gitHubWebhookSecretResource 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(gitHubWebhookSecret)) {
  parent: vault
  name: gitHubWebhookSecretName
  properties: {
    value: gitHubWebhookSecret
    contentType: 'text/plain'
  }
}

// ARM creates the key's first version only; redeployments never rotate or replace it.
resource dataProtectionKey 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: dataProtectionKeyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
  }
}

@description('Name of the key vault.')
output name string = vault.name

@description('Vault URI with a trailing slash, e.g. https://<vault>.vault.azure.net/.')
output uri string = vault.properties.vaultUri

@description('Versionless URI of the GitHub token secret, for a Key Vault reference that follows new versions.')
output gitHubTokenSecretUri string = '${vault.properties.vaultUri}secrets/${gitHubTokenSecretName}'

@description('Versionless URI of the GitHub webhook secret, for a Key Vault reference that follows new versions.')
output gitHubWebhookSecretUri string = '${vault.properties.vaultUri}secrets/${gitHubWebhookSecretName}'

@description('Versionless identifier of the Data Protection key (new versions are picked up for wrapping; old ones still unwrap).')
output dataProtectionKeyId string = dataProtectionKey.properties.keyUri

@description('Name of the Data Protection key.')
output dataProtectionKeyName string = dataProtectionKey.name
