using System.Text;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace ModelsHub.Infrastructure.BlobStorage;

/// <summary>
/// The Data Protection key ring as one XML blob (<c>DataProtection:KeyRingBlobUri</c>), shared by
/// every instance of the app. A new key is appended with the blob's ETag as precondition, so two
/// instances adding keys at once both land (the loser reads again and retries).
/// </summary>
public sealed class BlobKeyRingRepository(BlobClient blob) : IXmlRepository
{
    private const int MaxAttempts = 50;

    public IReadOnlyCollection<XElement> GetAllElements() => Read().Document.Root!.Elements().ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (document, etag) = Read();
            document.Root!.Add(new XElement(element));
            using var content = new MemoryStream();
            using (var writer = XmlWriter.Create(content, new XmlWriterSettings { Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) }))
            {
                document.Save(writer);
            }
            content.Position = 0;
            var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                blob.Upload(content, new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/xml" } });
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 409 && attempt < MaxAttempts)
            {
                // Another instance wrote the ring since we read it: read again and append to theirs,
                // after a short random pause so racing instances stop colliding. (The interface is
                // synchronous, and keys are created rarely.)
                Thread.Sleep(Random.Shared.Next(5, 20 * Math.Min(attempt, 10)));
            }
        }
    }

    private (XDocument Document, ETag? ETag) Read()
    {
        try
        {
            var download = blob.DownloadContent();
            using var stream = download.Value.Content.ToStream();
            return (XDocument.Load(stream), download.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (new XDocument(new XElement("repository")), null);
        }
    }
}
