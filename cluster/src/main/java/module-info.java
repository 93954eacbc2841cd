/**
 * Cells across machines: a cluster of Cella members built on Apache Pekko Cluster (membership,
 * failure detection, Artery TCP or TLS remoting), placement of a batch's cells or an app's
 * replicas by each member's free fuel share and free memory, and their outputs returned to the
 * submitter, which talks to one member over a plain or TLS socket (docs/cluster.md). Built on the sandbox's API; neither the VM nor the sandbox knows of it.
 *
 * <p>Pekko and the Scala library are automatic modules (named by their manifests, no split
 * packages), so this module is a named module that reads them. Pekko instantiates the wire
 * serializer by reflection, hence the package is open to it.
 */
module dev.cella.cluster {
    requires transitive dev.cella.sandbox;
    requires pekko.actor;
    requires pekko.actor.typed;
    requires pekko.cluster;
    requires pekko.cluster.typed;
    requires typesafe.config;

    exports dev.cella.cluster;
    opens dev.cella.cluster to pekko.actor;
}
