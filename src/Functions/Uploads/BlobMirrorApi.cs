using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Infrastructure.LocalFiles;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The embedded profile's stand-in for Blob Storage's block operations on an upload target, so the
/// client code that uploads to a SAS URL works unchanged against the hub: Put Block
/// (<c>?comp=block&amp;blockid=</c>, Content-MD5 checked), Put Block List (<c>?comp=blocklist</c>, XML
/// body) and Get Block List on an upload target (<c>sp=rw</c>), and Get Blob on the read link of a
/// published file (<c>sp=r</c>, with Range). Authorized by the signed URL itself, like a SAS.
/// </summary>
public static class BlobMirrorApi
{
    private const long MaxBlockListBytes = 8 * 1024 * 1024;

    public static RouteGroupBuilder MapBlobMirrorApi(this RouteGroupBuilder api)
    {
        var blobs = api.MapGroup(LocalBlobUrls.RoutePrefix["/api".Length..].TrimEnd('/')).WithTags("Uploads (blob mirror)").AllowAnonymous()
            // Like Blob Storage's own endpoint: a signed URL for one declared upload (quotas bound it) carries any number of chunks.
            .DisableRateLimiting();
        blobs.MapPut("/{**key}", PutBlockOrBlockList).WithName("PutBlockOrBlockList")
            .WithSummary("Put Block (comp=block&blockid=…, body = the chunk, Content-MD5 checked) or Put Block List (comp=blocklist, XML) on an upload target, as Blob Storage does.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        blobs.MapGet("/{**key}", GetBlobOrBlockList).WithName("GetBlockList")
            .WithSummary("Get Block List (comp=blocklist&blocklisttype=all|committed|uncommitted) of an upload target, or Get Blob (with Range) through a read link, as Blob Storage answers them.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Created> PutBlockOrBlockList(string key, HttpContext context, CancellationToken cancellationToken)
    {
        var store = Authorize(key, context);
        var request = context.Request;
        switch (request.Query["comp"].ToString())
        {
            case "block":
                var length = request.ContentLength ?? throw new ValidationException("Content-Length", "Is required: send each chunk with its exact length.");
                var md5 = ParseMd5(request.Headers["Content-MD5"].ToString());
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    // A chunk is larger than the API's JSON limit; the store checks it against the upload's layout before reading.
                    limit.MaxRequestBodySize = Math.Max(length, 1);
                }
                var stored = await store.StageBlockAsync(key, request.Query["blockid"].ToString(), request.Body, length, md5, cancellationToken);
                context.Response.Headers["Content-MD5"] = Convert.ToBase64String(stored);
                return TypedResults.Created();
            case "blocklist":
                var ids = await ReadBlockListAsync(request, cancellationToken);
                var contentType = request.Headers["x-ms-blob-content-type"].ToString();
                await store.CommitBlocksAsync(key, ids, contentType.Length > 0 ? contentType : Core.Uploads.UploadRules.DefaultContentType, cancellationToken);
                return TypedResults.Created();
            default:
                throw new ValidationException("comp", "Must be block (Put Block) or blocklist (Put Block List).");
        }
    }

    public static async Task<Results<ContentHttpResult, FileStreamHttpResult>> GetBlobOrBlockList(string key, HttpContext context, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (query["sp"] == LocalBlobUrls.ReadPermission)
        {
            var readable = Authorize(key, context, write: false);
            var content = await readable.OpenReadAsync(key, cancellationToken);
            return TypedResults.Stream(content.Content, "application/octet-stream", key[(key.LastIndexOf('/') + 1)..], content.LastModified, enableRangeProcessing: true);
        }
        var store = Authorize(key, context);
        if (query["comp"] != "blocklist")
        {
            throw new ValidationException("comp", "Must be blocklist (Get Block List).");
        }
        var type = query["blocklisttype"].ToString();
        if (type is not ("" or "all" or "committed" or "uncommitted"))
        {
            throw new ValidationException("blocklisttype", "Must be all, committed or uncommitted.");
        }
        var listing = await store.GetBlocksAsync(key, cancellationToken);
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        void Write(string element, IEnumerable<StagedBlock> blocks)
        {
            xml.Append('<').Append(element).Append('>');
            foreach (var block in blocks)
            {
                xml.Append("<Block><Name>").Append(block.Id).Append("</Name><Size>").Append(block.Size).Append("</Size></Block>");
            }
            xml.Append("</").Append(element).Append('>');
        }
        if (type is "" or "all" or "committed") Write("CommittedBlocks", listing.Committed);
        if (type is "all" or "uncommitted") Write("UncommittedBlocks", listing.Uncommitted);
        xml.Append("</BlockList>");
        return TypedResults.Content(xml.ToString(), "application/xml", Encoding.UTF8);
    }

    private static LocalBlobStore Authorize(string key, HttpContext context, bool write = true)
    {
        var services = context.RequestServices;
        var urls = services.GetService<LocalBlobUrls>();
        var store = services.GetService<IBlobStore>() as LocalBlobStore;
        if (urls is null || store is null)
        {
            // Another profile hands out its own targets (SAS URLs); this mirror does not exist there.
            throw new NotFoundException("Blob", key);
        }
        var query = context.Request.Query;
        urls.Authorize(key, query["sp"], query["se"], query["sig"], write);
        return store;
    }

    private static byte[]? ParseMd5(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }
        var bytes = new byte[16];
        return Convert.TryFromBase64String(header, bytes, out var written) && written == 16
            ? bytes
            : throw new ValidationException("Content-MD5", "Must be the base64 of the chunk's 16-byte MD5.");
    }

    private static async Task<IReadOnlyList<string>> ReadBlockListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBlockListBytes)
        {
            throw new PayloadTooLargeException($"A block list may be at most {MaxBlockListBytes} bytes.", "blocklist");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBlockListBytes)
            {
                throw new PayloadTooLargeException($"A block list may be at most {MaxBlockListBytes} bytes.", "blocklist");
            }
        }
        buffer.Position = 0;
        var ids = new List<string>();
        try
        {
            using var reader = XmlReader.Create(buffer, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true });
            reader.MoveToContent();
            if (reader.LocalName != "BlockList")
            {
                throw new XmlException("The root element is not BlockList.");
            }
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName is "Latest" or "Committed" or "Uncommitted")
                {
                    // Reading the content moves past the element: no extra Read, or the next id is skipped.
                    ids.Add(reader.ReadElementContentAsString().Trim());
                }
                else
                {
                    reader.Read();
                }
            }
        }
        catch (XmlException ex)
        {
            throw new ValidationException("blocklist", $"Is not a Put Block List body (<BlockList><Latest>id</Latest>…</BlockList>): {ex.Message}");
        }
        return ids;
    }
}
