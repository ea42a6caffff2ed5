using System.ComponentModel.DataAnnotations;

namespace Notifly.Api.Operator;

/// <summary>
/// <c>Notifly:Operator</c>: the tokens that open the operator API (<c>/api/operator</c>). Any one
/// of them is accepted, so a token is rotated by adding the new one, moving its users over, and
/// removing the old one. With none configured the operator API refuses every call.
/// </summary>
public sealed class OperatorOptions : IValidatableObject
{
    public const string Section = "Notifly:Operator";

    /// <summary>At least 32 characters each (<c>openssl rand -base64 32</c>).</summary>
    public List<string> Tokens { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tokens.Any(t => t.Trim().Length < 32))
        {
            yield return new ValidationResult(
                "Every Notifly:Operator:Tokens entry must be at least 32 characters (openssl rand -base64 32).", [nameof(Tokens)]);
        }
    }
}
