using System.Text;

namespace Notifly.Tests.Support;

/// <summary>A Kafka message as a <see cref="TopicRecorder"/> read it, headers decoded as UTF-8 text.</summary>
public sealed record ConsumedMessage(
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    IReadOnlyList<(string Name, string Value)> Headers,
    byte[] ValueBytes)
{
    public string Value => Encoding.UTF8.GetString(ValueBytes);

    /// <summary>The last header of that name (Kafka allows repeats), or null.</summary>
    public string? Header(string name) => Headers.LastOrDefault(h => h.Name == name).Value;
}
