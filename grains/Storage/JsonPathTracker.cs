using System.Text;

namespace Notifly.Grains.Storage;

/// <summary>
/// Follows where a forward-only JSON reader is, to name a token's place as System.Text.Json's
/// own errors do (<c>$.notifications[3].recipient.email</c>, <c>$['odd key']</c>).
/// </summary>
internal sealed class JsonPathTracker
{
    private readonly List<Frame> _frames = [];

    /// <summary>A container starts: a value of its parent, and the parent of what follows.</summary>
    public void Open(bool isArray)
    {
        Value();
        _frames.Add(new Frame(isArray));
    }

    public void Close()
    {
        if (_frames.Count > 0)
        {
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    /// <summary>A property name was read; null when it cannot be shown (the path then ends at its object).</summary>
    public void Property(string? name)
    {
        if (_frames.Count > 0)
        {
            _frames[^1].Name = name;
        }
    }

    /// <summary>A value was read: in an array, the next index.</summary>
    public void Value()
    {
        if (_frames.Count > 0 && _frames[^1].IsArray)
        {
            _frames[^1].Index++;
        }
    }

    public override string ToString()
    {
        var path = new StringBuilder("$");
        foreach (var frame in _frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Name is { } name)
            {
                if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    path.Append('.').Append(name);
                }
                else
                {
                    path.Append("['").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
                }
            }
        }

        return path.ToString();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Name { get; set; }
    }
}
