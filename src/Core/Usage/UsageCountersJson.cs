using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Core.Usage;

/// <summary>
/// <see cref="UsageCounters"/> as stored (the same JSON the serializer wrote before, so stored rollups on
/// either profile read unchanged), read straight into fixed-size histograms: a usage report reads
/// thousands of rollups, and the serializer's general path (growing lists, then copying) was most of its cost.
/// </summary>
public sealed class UsageCountersJsonConverter : JsonConverter<UsageCounters>
{
    public override UsageCounters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Usage counters must be an object.");
        }
        var counters = new UsageCounters();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Property(ref reader);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }
            switch (property)
            {
                case Field.Calls: counters.Calls = reader.GetInt64(); break;
                case Field.Successes: counters.Successes = reader.GetInt64(); break;
                case Field.TokensIn: counters.TokensIn = reader.GetInt64(); break;
                case Field.TokensOut: counters.TokensOut = reader.GetInt64(); break;
                case Field.LatencyMsSum: counters.LatencyMsSum = reader.GetDouble(); break;
                case Field.StreamedCalls: counters.StreamedCalls = reader.GetInt64(); break;
                case Field.Latency: ReadBuckets(ref reader, counters.Latency); break;
                case Field.TimeToFirstToken: ReadBuckets(ref reader, counters.TimeToFirstToken); break;
                case Field.Errors:
                    if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("Usage errors must be an object.");
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString()!;
                        reader.Read();
                        counters.Errors[name] = reader.GetInt64();
                    }
                    break;
                default: reader.Skip(); break;
            }
        }
        return counters;
    }

    public override void Write(Utf8JsonWriter writer, UsageCounters value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("calls"u8, value.Calls);
        writer.WriteNumber("successes"u8, value.Successes);
        writer.WriteStartObject("errors"u8);
        foreach (var (name, count) in value.Errors)
        {
            writer.WriteNumber(name, count);
        }
        writer.WriteEndObject();
        writer.WriteNumber("tokensIn"u8, value.TokensIn);
        writer.WriteNumber("tokensOut"u8, value.TokensOut);
        writer.WriteNumber("latencyMsSum"u8, value.LatencyMsSum);
        WriteBuckets(writer, "latency"u8, value.Latency);
        writer.WriteNumber("streamedCalls"u8, value.StreamedCalls);
        WriteBuckets(writer, "timeToFirstToken"u8, value.TimeToFirstToken);
        writer.WriteEndObject();
    }

    private enum Field { Other, Calls, Successes, Errors, TokensIn, TokensOut, LatencyMsSum, Latency, StreamedCalls, TimeToFirstToken }

    private static Field Property(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("calls"u8)) return Field.Calls;
        if (reader.ValueTextEquals("successes"u8)) return Field.Successes;
        if (reader.ValueTextEquals("errors"u8)) return Field.Errors;
        if (reader.ValueTextEquals("tokensIn"u8)) return Field.TokensIn;
        if (reader.ValueTextEquals("tokensOut"u8)) return Field.TokensOut;
        if (reader.ValueTextEquals("latencyMsSum"u8)) return Field.LatencyMsSum;
        if (reader.ValueTextEquals("latency"u8)) return Field.Latency;
        if (reader.ValueTextEquals("streamedCalls"u8)) return Field.StreamedCalls;
        if (reader.ValueTextEquals("timeToFirstToken"u8)) return Field.TimeToFirstToken;
        // Names in another case (the web defaults read case-insensitively).
        return Enum.TryParse<Field>(reader.GetString(), ignoreCase: true, out var field) ? field : Field.Other;
    }

    private static void ReadBuckets(ref Utf8JsonReader reader, long[] into)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A usage histogram must be an array.");
        var i = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // A histogram from another build may have fewer buckets (zeros follow) or more (never: the bounds are fixed).
            var count = reader.GetInt64();
            if (i < into.Length) into[i] = count;
            i++;
        }
    }

    private static void WriteBuckets(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long[] buckets)
    {
        writer.WriteStartArray(name);
        foreach (var count in buckets)
        {
            writer.WriteNumberValue(count);
        }
        writer.WriteEndArray();
    }
}
