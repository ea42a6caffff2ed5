using System.Net;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>Every address a webhook's host resolved to is one <see cref="EgressGuard"/> refuses.</summary>
public sealed class EgressRefusedException(string host, IReadOnlyList<IPAddress> addresses)
    : IOException($"{host} resolves only to addresses webhooks may not reach ({string.Join(", ", addresses)}); " +
                  "an operator can allow a network in Notifly:Channels:Webhook:AllowedNetworks");
