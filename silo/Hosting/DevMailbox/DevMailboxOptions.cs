using System.ComponentModel.DataAnnotations;

namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>Single-node mode's local mailbox (<c>Notifly:Dev:Mailbox</c>): how much captured mail it keeps.</summary>
public sealed class DevMailboxOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Dev:Mailbox";

    /// <summary>The newest messages kept; older ones are dropped as new ones arrive.</summary>
    [Range(1, 100_000)]
    public int Capacity { get; set; } = 200;

    /// <summary>
    /// All kept messages together, raw: a few large attachments must not grow the process without
    /// bound when <see cref="Capacity"/> alone would allow it.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public long MaxTotalBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The largest message the listener accepts (advertised as SIZE; larger ones get 552).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxMessageBytes > MaxTotalBytes)
        {
            yield return new ValidationResult(
                $"{nameof(MaxMessageBytes)} ({MaxMessageBytes}) is more than {nameof(MaxTotalBytes)} ({MaxTotalBytes}): such a message could never be kept.",
                [nameof(MaxMessageBytes)]);
        }
    }

    /// <summary>Throws, naming the setting, unless every value is in range: checked before the listener starts.</summary>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            var problems = results.Select(r => $"{SectionName}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}");
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }
    }
}
