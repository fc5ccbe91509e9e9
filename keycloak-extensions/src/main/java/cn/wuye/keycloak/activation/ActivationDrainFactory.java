package cn.wuye.keycloak.activation;

import com.google.auto.service.AutoService;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.cluster.ExecutionResult;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.services.scheduled.ScheduledTaskRunner;
import org.keycloak.timer.ScheduledTask;
import org.keycloak.timer.TimerProvider;

/**
 * Schedules the {@link ActivationDrain} on Keycloak's timer once the server has started (after its database
 * migration), every {@value ActivationDrain#INTERVAL_MILLIS} ms, on one cluster node at a time.
 */
@AutoService(ActivationDrainFactory.class)
public class ActivationDrainFactory implements ProviderFactory<ActivationDrainSpi.Drain> {

    public static final String ID = "default";
    /** A node that dies mid-round holds the cluster lock this long at most. */
    static final int LOCK_SECONDS = 30;
    private static final Logger LOG = Logger.getLogger(ActivationDrainFactory.class);
    private final ActivationDrain drain = new ActivationDrain();

    @Override
    public ActivationDrainSpi.Drain create(KeycloakSession session) {
        return () -> { };
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class)
                        .schedule(new ClusterAware(factory, drain), ActivationDrain.INTERVAL_MILLIS, ActivationDrain.TASK));
                // Quarkus may close the database before Keycloak closes its factories: stop at the first sign of shutdown
                Runtime.getRuntime().addShutdownHook(new Thread(drain::stop, "wuye-activation-drain-stop"));
                LOG.infof("Activation drain scheduled every %d ms", ActivationDrain.INTERVAL_MILLIS);
            }
        });
    }

    @Override
    public void close() {
        drain.stop();
    }

    @Override
    public String getId() {
        return ID;
    }

    /**
     * Keycloak's {@code ClusterAwareScheduledTaskRunner}, restated (its jar is not on our compile path): the task runs
     * under the cluster's execute-once lock, so one node drains at a time; the lock outlives a slow round.
     */
    static final class ClusterAware extends ScheduledTaskRunner {

        ClusterAware(KeycloakSessionFactory factory, ScheduledTask task) {
            super(factory, task);
        }

        @Override
        protected void runTask(KeycloakSession session) {
            // Keycloak's runner has opened the session's transaction already
            ExecutionResult<Void> result = session.getProvider(ClusterProvider.class).executeIfNotExecuted(task.getTaskName(),
                    LOCK_SECONDS, () -> {
                        task.run(session);
                        return null;
                    });
            if (!result.isExecuted()) {
                LOG.debugf("%s: another node is running it", task.getTaskName());
            }
        }
    }
}
