using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelsHub.Core.Webhooks;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Webhooks;

/// <summary>
/// The SSRF rules with their defaults (outside Development, no Webhooks:AllowPrivateTargets): https only,
/// no loopback, link-local or private target in the URL, nor among the addresses its name resolves to,
/// when the webhook is saved and again when each delivery connects (a name that resolves elsewhere later).
/// </summary>
public sealed class WebhookTargetTests : IDisposable
{
    private readonly ScriptedDns _dns = new();
    private readonly HubApplication _app;

    public WebhookTargetTests() => _app = new DnsHubApplication(_dns)
        .With("Webhooks:MaxAttempts", "2").With("Webhooks:RetryDelay", "00:00:00.050").With("Webhooks:MaxRetryDelay", "00:00:00.050");

    public void Dispose() => _app.Dispose();

    /// <summary>DNS answers a test chooses, per name, in turn (the last one repeats).</summary>
    private sealed class ScriptedDns : IAddressResolver
    {
        public Dictionary<string, Queue<IPAddress[]>> Answers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            lock (Answers)
            {
                if (!Answers.TryGetValue(host, out var queue)) throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
                return Task.FromResult(queue.Count > 1 ? queue.Dequeue() : queue.Peek());
            }
        }
    }

    private sealed class DnsHubApplication(ScriptedDns dns) : HubApplication
    {
        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.Replace(ServiceDescriptor.Singleton<IAddressResolver>(dns));
    }

    [Theory]
    [InlineData("http://hooks.example.com/x", "https://")]
    [InlineData("https://127.0.0.1/x", "127.0.0.1")]
    [InlineData("https://localhost:8443/x", "localhost")]
    [InlineData("https://10.1.2.3/x", "10.1.2.3")]
    [InlineData("https://172.20.0.5/x", "172.20.0.5")]
    [InlineData("https://192.168.1.1/x", "192.168.1.1")]
    [InlineData("https://169.254.169.254/latest/meta-data", "169.254.169.254")]
    [InlineData("https://100.64.0.1/x", "100.64.0.1")]
    [InlineData("https://[::1]/x", "::1")]
    [InlineData("https://[fe80::1]/x", "fe80::1")]
    [InlineData("https://[fd00::1]/x", "fd00::1")]
    [InlineData("https://[::ffff:127.0.0.1]/x", "127.0.0.1")]
    [InlineData("https://0.0.0.0/x", "0.0.0.0")]
    [InlineData("https://user:pass@hooks.example.com/x", "user name")]
    [InlineData("https://internal.example.com/x", "10.0.0.7")]
    public async Task ATargetOnThisMachineOrAPrivateNetworkIsRefusedWhenSaved(string url, string reason)
    {
        _dns.Answers["internal.example.com"] = new([[IPAddress.Parse("10.0.0.7")]]);
        var response = await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/webhooks", new { url, events = new[] { "*" } }, HubApplication.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = string.Join(" ", (await response.JsonAsync()).GetProperty("errors").GetProperty("url").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(reason, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ANameThatResolvesToAPrivateAddressWhenSendingIsRefusedAndTheDeliveryFailsAtOnce()
    {
        // Public when saved (documentation range would be refused, so a global unicast one), loopback when the hub connects: DNS rebinding.
        _dns.Answers["rebind.example.com"] = new([[IPAddress.Parse("8.8.8.8")], [IPAddress.Loopback]]);
        var carol = _app.ClientFor("carol", "user");
        var hook = await (await carol.PostAsJsonAsync("/api/webhooks", new { url = "https://rebind.example.com/hook", events = new[] { "*" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var id = hook.GetProperty("id").GetString()!;
        var ping = await (await carol.PostAsync($"/api/webhooks/{id}/ping", null).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var failed = await EventuallyAsync<object>(async () =>
        {
            var d = await (await carol.GetAsync($"/api/webhooks/{id}/deliveries/{ping.GetProperty("id").GetString()}")).JsonAsync();
            return d.GetProperty("status").GetString() == "failed" ? d : null;
        }, "the refused delivery").ContinueWith(t => (System.Text.Json.JsonElement)t.Result);
        // Refused is final: no retries for a target the rules forbid, and no status code (nothing was sent).
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, failed.GetProperty("responseCode").ValueKind);
        Assert.Contains("resolves to 127.0.0.1", failed.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.16.0.0", false)]
    [InlineData("172.32.0.0", true)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("::", false)]
    [InlineData("fc00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("2002:0a00:0001::", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("2606:4700:4700::1111", true)]
    public void OnlyPublicUnicastAddressesArePublic(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void SignaturesMatchTheStandardWebhooksTestVector()
    {
        // The example of the Standard Webhooks specification: any of its libraries verifies what the hub sends.
        var body = "{\"test\": 2432232314}"u8.ToArray();
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body));
    }
}
