namespace ModelsHub.WebTests;

/// <summary>API answers in the hub's JSON, as the server writes them.</summary>
public static class Samples
{
    public static string Summary(string name, string type = "llm", string visibility = "public", string tier = "standard") => $$"""
        {"name":"{{name}}","type":"{{type}}","description":"The {{name}} model","tags":["chat"],"framework":"pytorch","source":"upload",
         "visibility":"{{visibility}}","tier":"{{tier}}","owner":"carol","status":"active","expiresAt":null,"featured":false,
         "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","specEntries":1,"etag":"e1","removedUpstreamAt":null}
        """;

    public static string List(params string[] names) =>
        $$"""{"items":[{{string.Join(",", names.Select(n => Summary(n)))}}],"continuationToken":null}""";

    public const string Stats = """{"total":3,"byType":{"llm":2,"audio":1}}""";

    public static string Model(string name, string readme = "# Hello", string owner = "carol", string visibility = "private") => $$"""
        {"name":"{{name}}","type":"llm","description":"d","readme":{{System.Text.Json.JsonSerializer.Serialize(readme)}},"tags":["chat"],"framework":"pytorch",
         "source":"upload","visibility":"{{visibility}}","tier":"standard","owner":"{{owner}}","status":"active","expiresAt":null,"featured":false,
         "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","spec":{"version":2,"model_name":"{{name}}"},"etag":"\"e1\"",
         "pullRequest":null,"defaultVersion":null,"defaultVersionPinned":false,"removedUpstreamAt":null}
        """;

    public static string Submission(string id, string model, string state = "pending", string submitter = "carol") => $$"""
        {"id":"{{id}}","modelName":"{{model}}","modelType":"llm","kind":"register","revision":1,"state":"{{state}}","submitter":"{{submitter}}",
         "submittedAt":"2026-01-01T00:00:00Z","changes":[{"field":"description","before":null,"after":"new"}],"proposed":null,"autoApproved":false,
         "decidedBy":null,"decidedAt":null,"feedback":null,"supersededBy":null,"workflowId":null,"pullRequest":null,"publishedAt":null}
        """;

    public static string Upload(string id, int chunkCount, long size, long chunkSize, string receivedJson = "[]", string status = "open") => $$"""
        {"id":"{{id}}","model":"m","version":"v1","fileName":"f.bin","size":{{size}},"sha256":null,"contentType":"application/octet-stream",
         "status":"{{status}}","failureReason":null,"computedSha256":null,"chunkSize":{{chunkSize}},"chunkCount":{{chunkCount}},"blockIdScheme":"",
         "chunksReceived":0,"bytesReceived":0,"receivedChunks":{{receivedJson}},"committed":false,
         "target":{"kind":"hub","url":"http://hub.test/api/blobs/uploads/{{id}}/f.bin?sig=1","expiresAt":"2030-01-01T00:00:00Z",
                   "putBlock":"http://hub.test/api/blobs/uploads/{{id}}/f.bin?sig=1&comp=block&blockid={blockId}","putBlockList":"x"},
         "createdBy":"carol","createdAt":"2026-01-01T00:00:00Z","expiresAt":"2030-01-01T00:00:00Z","completedAt":null,
         "url":"/api/models/m/versions/v1/uploads/{{id}}"}
        """;
}
