using Microsoft.ML.Tokenizers;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// Estimates the tokens of a file's text without tokenizing all of it (tokenizing is far slower than
/// validating): the text of every record is counted in full up to <see cref="ExactBytes"/>; past that,
/// a record is counted whenever the counted text falls below one byte in <see cref="SampleShare"/> of
/// the text seen, which spreads the sample evenly over the file. The estimate scales the sample's
/// tokens per byte to all the text, plus the framing tokens each format adds per record or message.
/// </summary>
internal sealed class TokenSampler
{
    public const string EncodingName = "o200k_base";

    /// <summary>Text counted in full before sampling starts.</summary>
    public const long ExactBytes = 1L << 20;

    /// <summary>Past <see cref="ExactBytes"/>, about one byte of text in this many is tokenized.</summary>
    public const int SampleShare = 256;

    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding(EncodingName));

    private long _textBytes;
    private long _sampledBytes;
    private long _sampledTokens;
    private long _sampledRecords;
    private long _framingTokens;
    private bool _exact = true;

    /// <summary>
    /// Adds a valid record with <paramref name="textBytes"/> bytes of text; true when the caller should
    /// count its text now (<see cref="AddSample"/>).
    /// </summary>
    public bool Add(long textBytes, long framingTokens)
    {
        _textBytes += textBytes;
        _framingTokens += framingTokens;
        if (_sampledBytes < ExactBytes || _sampledBytes * SampleShare < _textBytes)
        {
            _sampledBytes += textBytes;
            return true;
        }
        _exact = false;
        return false;
    }

    /// <summary>Counts the text of a record <see cref="Add"/> chose.</summary>
    public void AddSample(string text)
    {
        _sampledTokens += text.Length == 0 ? 0 : Tokenizer.Value.CountTokens(text);
        _sampledRecords++;
    }

    public TokenEstimate Estimate()
    {
        var text = _exact || _sampledBytes == 0 ? _sampledTokens : (long)Math.Round(_sampledTokens * (double)_textBytes / _sampledBytes);
        return new TokenEstimate(EncodingName, text + _framingTokens, _exact, _sampledRecords);
    }
}
