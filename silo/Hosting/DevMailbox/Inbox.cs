namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>
/// The mail the local SMTP listener caught, newest first, bounded by count and by total size.
/// </summary>
/// <remarks>
/// In memory rather than as .eml files under NOTIFLY_HOME: single-node mode's mailbox is for seeing
/// what the last sends produced, like its embedded Kafka, which is in memory too. Nothing on disk
/// means nothing to cap, rotate or clean up, and nothing of a tenant's mail left behind after the
/// process exits; the raw form of each message is still one request away (<c>/dev/mailbox/{id}.eml</c>).
/// </remarks>
public sealed class Inbox(DevMailboxOptions options, TimeProvider time)
{
    private readonly LinkedList<CapturedMail> _newestFirst = [];
    private readonly Lock _lock = new();
    private long _totalBytes;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _newestFirst.Count;
            }
        }
    }

    /// <summary>Keeps a message and drops the oldest ones the bounds no longer allow.</summary>
    public CapturedMail Add(string envelopeFrom, IReadOnlyList<string> envelopeTo, byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var receivedAt = time.GetUtcNow();
        // Version 7: ids sort by arrival, and a link from an earlier run finds nothing rather than another message.
        var mail = MailReader.Capture(Guid.CreateVersion7(receivedAt).ToString("N"), receivedAt, envelopeFrom, envelopeTo, raw);
        lock (_lock)
        {
            _newestFirst.AddFirst(mail);
            _totalBytes += raw.Length;
            while (_newestFirst.Count > options.Capacity || (_totalBytes > options.MaxTotalBytes && _newestFirst.Count > 1))
            {
                _totalBytes -= _newestFirst.Last!.Value.Raw.Length;
                _newestFirst.RemoveLast();
            }
        }

        return mail;
    }

    public IReadOnlyList<CapturedMail> List()
    {
        lock (_lock)
        {
            return [.. _newestFirst];
        }
    }

    public CapturedMail? Find(string id)
    {
        lock (_lock)
        {
            return _newestFirst.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        }
    }
}
