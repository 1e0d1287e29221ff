using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.Servers;

namespace ModelsHub.UnitTests;

public class XinferenceRegistrationsTests
{
    [Fact]
    public void AnLlmFamilyIsRegisteredWithItsSpecsExpandedPerHubAndQuantization()
    {
        var entry = JsonNode.Parse("""
            {"version": 2, "model_name": "m", "model_lang": ["en"], "model_ability": ["chat"], "model_family": "qwen2.5-instruct", "featured": true, "updated_at": 1,
             "model_specs": [
               {"model_format": "ggufv2", "model_size_in_billions": "1_8",
                "model_src": {"huggingface": {"quantizations": ["Q4_K_M", "Q8_0"], "model_id": "o/m-GGUF", "model_file_name_template": "m-{quantization}.gguf"},
                              "modelscope": {"quantizations": ["Q4_K_M"], "model_id": "o/m-GGUF-ms", "model_file_name_template": "m-{quantization}.gguf"}}}]}
            """)!;
        var family = JsonNode.Parse(XinferenceRegistrations.Build(ModelType.Llm, JsonSerializer.SerializeToElement(entry)))!.AsObject();

        Assert.False(family.ContainsKey("featured"));
        var specs = family["model_specs"]!.AsArray().Select(s => (s!["model_hub"]!.ToString(), s["quantization"]!.ToString(), s["model_id"]!.ToString(),
            s["model_file_name_template"]!.ToString(), s["model_size_in_billions"]!.ToString(), s.AsObject().ContainsKey("model_src"))).ToList();
        Assert.Equal([
            ("huggingface", "Q4_K_M", "o/m-GGUF", "m-Q4_K_M.gguf", "1_8", false),
            ("huggingface", "Q8_0", "o/m-GGUF", "m-Q8_0.gguf", "1_8", false),
            ("modelscope", "Q4_K_M", "o/m-GGUF-ms", "m-Q4_K_M.gguf", "1_8", false)], specs);
    }

    [Fact]
    public void AnAudioModelRegistersItsFirstVariantOnItsFirstHub()
    {
        var entry = JsonNode.Parse("""
            {"version": 2, "model_name": "a", "model_family": "whisper", "multilingual": true, "engine": "transformers",
             "model_src": {"huggingface": {"model_id": "o/a", "model_revision": "r1"}, "modelscope": {"model_id": "o/a-ms"}}}
            """)!;
        var family = JsonNode.Parse(XinferenceRegistrations.Build(ModelType.Audio, JsonSerializer.SerializeToElement(entry)))!.AsObject();
        Assert.Equal(("o/a", "r1", "huggingface", false), (family["model_id"]!.ToString(), family["model_revision"]!.ToString(), family["model_hub"]!.ToString(),
            family.ContainsKey("model_src")));
        Assert.Equal(XinferenceRegistrations.Fingerprint(family.ToJsonString()), XinferenceRegistrations.Fingerprint(family.ToJsonString()));
    }
}

public class ServerMetricsTests
{
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static ServerNode Node(string address, double cpuAvailable, int gpus, double? utilization) =>
        new("Worker", address, 64, cpuAvailable, 1e10, 5e11, 5.5e11, gpus, gpus * 8e10, gpus * 6e10, utilization);

    private static MetricSample Sample(int minute, bool reachable, params ServerNode[] nodes) =>
        MetricSample.Of("server:x", new ServerSample(T0.AddMinutes(minute), reachable, nodes));

    [Fact]
    public void SamplesSurviveTheCodec()
    {
        var sample = new ServerSample(T0, true, [new ServerNode("Supervisor", "10.0.0.1:34000", 8, 7.5, 6e9, 2.6e10, 3.4e10, 0, 0, 0, null), Node("工作节点:1", 48, 4, 37.5)]);
        var decoded = ServerSampleCodec.Decode(T0, ServerSampleCodec.Encode(sample));
        Assert.True(decoded.Reachable);
        Assert.Equal(sample.Nodes.Select(n => (n.NodeType, n.Address, n.GpuCount, n.GpuUtilization)), decoded.Nodes.Select(n => (n.NodeType, n.Address, n.GpuCount, n.GpuUtilization)));
        Assert.Equal(5.5e11, decoded.Nodes[1].MemoryTotal!.Value, 5e11 * 1e-6);
        Assert.Throws<InvalidDataException>(() => ServerSampleCodec.Decode(T0, [9, 1, 0]));
    }

    [Fact]
    public void StepsAverageTheirPollsPerNodeAndForTheCluster()
    {
        var window = new MetricWindow(T0, T0.AddMinutes(10), TimeSpan.FromMinutes(5));
        var steps = ServerMetrics.Aggregate(
        [
            Sample(0, true, Node("a", 32, 2, 10)), Sample(1, true, Node("a", 16, 2, 30)), Sample(2, false),
            Sample(6, true, Node("a", 64, 2, null), Node("b", 0, 0, null)),
        ], window);

        Assert.Equal([T0, T0.AddMinutes(5)], steps.Select(s => s.At));
        var first = steps[0];
        Assert.Equal((3, 2), (first.Polls, first.Reachable));
        var a = Assert.Single(first.Nodes);
        Assert.Equal((64.0, 40.0, 20.0, 2), (a.CpuCount!.Value, a.CpuUsed!.Value, a.GpuUtilization!.Value, a.GpuCount));
        // Samples keep 32-bit floats: bytes to about seven digits.
        Assert.Equal(2 * 2e10, first.Totals.GpuVramUsed, 2e10 * 1e-6);
        Assert.Equal(20.0, first.Totals.GpuUtilization!.Value);
        Assert.Equal(["a", "b"], steps[1].Nodes.Select(n => n.Address));
        Assert.Null(steps[1].Totals.GpuUtilization);
        Assert.Null(steps[1].Nodes[1].GpuVramTotal);

        // The cluster's totals from the summaries alone are the same.
        var totals = ServerMetrics.Aggregate(
        [
            Sample(0, true, Node("a", 32, 2, 10)), Sample(1, true, Node("a", 16, 2, 30)), Sample(2, false),
            Sample(6, true, Node("a", 64, 2, null), Node("b", 0, 0, null)),
        ], window, perNode: false);
        Assert.Equal(steps.Select(s => (s.Polls, s.Reachable, s.Totals.GpuCount, s.Totals.GpuUtilization)),
            totals.Select(s => (s.Polls, s.Reachable, s.Totals.GpuCount, s.Totals.GpuUtilization)));
        foreach (var (full, summary) in steps.Zip(totals))
        {
            // Both keep 32-bit floats, summed in another order: equal to about seven digits.
            foreach (var (x, y) in new[] { (full.Totals.CpuUsed, summary.Totals.CpuUsed), (full.Totals.MemoryTotal, summary.Totals.MemoryTotal),
                (full.Totals.GpuVramUsed, summary.Totals.GpuVramUsed), (full.Totals.GpuVramTotal, summary.Totals.GpuVramTotal) })
            {
                Assert.Equal(x, y, Math.Abs(x) * 1e-6);
            }
        }
        Assert.All(totals, t => Assert.Empty(t.Nodes));
    }

    [Fact]
    public void WindowsPickAStepThatKeepsLongRangesShort()
    {
        var errors = new ValidationErrors();
        var week = ServerMetrics.Window(T0.AddDays(-7), T0, null, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), T0, errors);
        Assert.True(errors.IsEmpty);
        Assert.Equal(TimeSpan.FromMinutes(30), week.Step);
        var hour = ServerMetrics.Window(null, null, null, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), T0, errors);
        Assert.Equal((T0.AddHours(-24), T0, TimeSpan.FromMinutes(3)), (hour.From, hour.To, hour.Step));

        ServerMetrics.Window(T0, T0.AddDays(-1), null, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), T0, errors);
        ServerMetrics.Window(T0.AddDays(-30), T0, null, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), T0, errors);
        ServerMetrics.Window(T0.AddDays(-1), T0, 90, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), T0, errors);
        Assert.Equal(["from", "step"], errors.ToDictionary().Keys.Order());
    }
}

public class LaunchRulesTests
{
    private static JsonElement Entry() => JsonSerializer.SerializeToElement(JsonNode.Parse("""
        {"model_specs": [
          {"model_format": "pytorch", "model_size_in_billions": 7, "model_src": {"huggingface": {"quantizations": ["none"]}}},
          {"model_format": "ggufv2", "model_size_in_billions": "1_8", "model_src": {"huggingface": {"quantizations": ["Q4_K_M", "Q8_0"]}}},
          {"model_format": "ggufv2", "model_size_in_billions": 7, "model_src": {"huggingface": {"quantizations": ["Q2_K"]}}}]}
        """));

    [Fact]
    public void GapsAreFilledFromTheFirstMatchingSpecAndAnLlmGetsAnEngineForItsFormat()
    {
        var errors = new ValidationErrors();
        var first = LaunchRules.Resolve(ModelType.Llm, Entry(), new DeploymentInput(), errors);
        Assert.Equal(("Transformers", "pytorch", "7", "none", 1, "\"auto\""), (first.Engine, first.Format, LaunchRules.SizeText(first.SizeInBillions!.Value), first.Quantization,
            first.Replicas, first.Gpus!.Value.GetRawText()));
        var gguf = LaunchRules.Resolve(ModelType.Llm, Entry(), new DeploymentInput { Format = "ggufv2", SizeInBillions = JsonSerializer.SerializeToElement(7) }, errors);
        Assert.Equal(("llama.cpp", "Q2_K"), (gguf.Engine, gguf.Quantization));
        var cpu = LaunchRules.Resolve(ModelType.Llm, Entry(), new DeploymentInput { Gpus = new Optional<JsonElement?>(true, null), Engine = "vLLM" }, errors);
        Assert.Equal(("vLLM", (JsonElement?)null), (cpu.Engine, cpu.Gpus));
        Assert.True(errors.IsEmpty, string.Join(", ", errors.ToDictionary().Keys));

        LaunchRules.Resolve(ModelType.Llm, Entry(), new DeploymentInput { Format = "ggufv2", Quantization = "none" }, errors);
        LaunchRules.Resolve(ModelType.Image, Entry(), new DeploymentInput { Format = "pytorch" }, errors);
        Assert.Equal(["format", "quantization"], errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void DefaultsApplyUnlessTheDeploymentSetsTheSameKey()
    {
        var defaults = new DeploymentDefaults { GpuMemoryUtilization = 0.8, BatchSize = 16, CacheDirectory = "/cache", LogLevel = "DEBUG" };
        var (parameters, env) = defaults.Apply(JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["max_num_seqs"] = 4 }),
            new Dictionary<string, string> { ["HF_HOME"] = "/mine" });
        Assert.Equal((0.8, 4), (parameters["gpu_memory_utilization"].GetDouble(), parameters["max_num_seqs"].GetInt32()));
        Assert.Equal(("/mine", "DEBUG"), (env["HF_HOME"], env["XINFERENCE_LOG_LEVEL"]));
        var (none, noEnv) = new DeploymentDefaults().Apply(Deployment.EmptyObject, new Dictionary<string, string>());
        Assert.Empty(none);
        Assert.Empty(noEnv);
    }
}
