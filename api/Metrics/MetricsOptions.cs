using System.ComponentModel.DataAnnotations;

namespace Notifly.Api.Metrics;

/// <summary><c>Notifly:Metrics</c>: where <c>/metrics</c> answers.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Notifly:Metrics";

    /// <summary>
    /// The only port <c>/metrics</c> answers on; Kestrel must listen on it too (e.g.
    /// <c>Urls=http://+:8080;http://+:9090</c>). Unset: the same port as the API.
    /// </summary>
    [Range(1, 65535)]
    public int? Port { get; set; }
}
