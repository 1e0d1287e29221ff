using ModelsHub.Web.Components.UI;

namespace ModelsHub.WebTests;

public sealed class JsonLocatorTests
{
    private const string Spec = """
        {
          "model_name": "qwen3",
          "model_specs": [
            {
              "model_format": "pytorch"
            },
            {
              "model_format": "nope",
              "model_src": {}
            }
          ]
        }
        """;

    [Theory]
    [InlineData("model_name", 2)]
    [InlineData("model_specs", 3)]
    [InlineData("model_specs[1]", 7)]
    [InlineData("model_specs[1].model_format", 8)]
    [InlineData("model_specs[1].model_src.huggingface", 9)]
    [InlineData("context_length", 1)]
    public void FindsTheLineOfAFieldOrItsNearestParent(string path, int line) => Assert.Equal(line, JsonLocator.LineOf(Spec, path));

    [Fact]
    public void ReportsTheLineOfASyntaxError() => Assert.Equal(3, JsonLocator.SyntaxError("{\n  \"a\": 1,\n  \"b\" 2\n}")?.Line);
}
