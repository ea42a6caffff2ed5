namespace Notifly.Silo.Hosting;

/// <summary>
/// What a process runs (<c>Notifly:Role</c>). One image, three deployments: <c>api</c> replicas
/// behind the load balancer, <c>worker</c> replicas for dispatch, or <c>all</c> on one node.
/// </summary>
public enum NotiflyRole
{
    All,
    Api,
    Worker,
}
