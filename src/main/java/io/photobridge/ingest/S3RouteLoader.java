package io.photobridge.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

/**
 * Loads the S3 route once its bucket answers. Camel's aws2-s3 endpoint checks the bucket while routes are created, so an
 * unreachable store would stop PhotoBridge from starting; instead it starts without the S3 source, says why (log and
 * {@code /observe/health}), and tries again with growing delays.
 */
public final class S3RouteLoader extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(S3RouteLoader.class);

    private final CamelContext context;
    private final S3Client s3;
    private final String bucket;
    private final String where;
    private final Path routeFile;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private ScheduledExecutorService scheduler;
    private volatile boolean loaded;
    private volatile String problem = "not checked yet";

    /** where: how the store is named in messages (endpoint or AWS region); routeFile: routes/ingest-s3.camel.yaml. */
    public S3RouteLoader(CamelContext context, S3Client s3, String bucket, String where, Path routeFile,
                         Duration initialDelay, Duration maxDelay) {
        this.context = context;
        this.s3 = s3;
        this.bucket = bucket;
        this.where = where;
        this.routeFile = routeFile;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    /** Whether the S3 route has been loaded. */
    public boolean loaded() {
        return loaded;
    }

    /** Why the S3 source is not running, or null when it is. */
    public String problem() {
        return loaded ? null : problem;
    }

    /** A readiness check that is DOWN, with the reason, while the S3 source cannot run. */
    public AbstractHealthCheck healthCheck() {
        return new AbstractHealthCheck("photobridge", "s3-source") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.detail("bucket", bucket).detail("store", where);
                if (loaded) {
                    builder.up();
                } else {
                    builder.message(problem).down();
                }
            }

            @Override
            public boolean isLiveness() {
                return false;
            }
        };
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3-route-loader");
            t.setDaemon(true);
            return t;
        });
        // routes added while the context is still starting its own would not be started: begin once it is fully up
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext camelContext, boolean alreadyStarted) {
                // wait for onCamelContextFullyStarted
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext camelContext, boolean alreadyStarted) {
                scheduler.execute(() -> attempt(initialDelay));
            }
        });
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void attempt(Duration nextDelay) {
        try {
            s3.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
        } catch (RuntimeException e) {
            problem = "S3 bucket " + bucket + " at " + where + " is not reachable: " + e.getMessage();
            LOG.warn("{}; PhotoBridge runs without the S3 source and tries again in {} s", problem, nextDelay.toSeconds());
            Duration after = nextDelay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : nextDelay.multipliedBy(2);
            scheduler.schedule(() -> attempt(after), nextDelay.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:" + routeFile));
            loaded = true;
            LOG.info("S3 bucket {} at {} answers: the S3 source ({}) is running", bucket, where, routeFile.getFileName());
        } catch (Exception e) {
            problem = "the S3 route " + routeFile + " cannot be loaded: " + e.getMessage();
            LOG.error("{}; fix the file and restart PhotoBridge", problem);
        }
    }
}
