import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts AWS's DynamoDB Local listening on one address (127.0.0.1 unless -Dgongdan.dynamodb.host says
 * otherwise) instead of every interface. DynamoDB Local has no -host option: its Jetty server is made
 * with `new Server(port)`, whose connector binds 0.0.0.0 and checks no credentials. This launcher builds
 * the server from the same command line as the jar's own main, sets the host on its connector before it
 * starts, and starts it. Run by infra/local/dynamodb-local.ts as a single-file source program
 * (`java -cp <DynamoDB Local's jars> LoopbackDynamoDbLocal.java <DynamoDB Local options>`).
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("gongdan.dynamodb.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) {
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
  }
}
