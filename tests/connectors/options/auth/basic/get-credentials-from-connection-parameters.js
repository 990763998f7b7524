export default function getCredentials({ connectionParameters }) {
  return { user: connectionParameters.username, pass: connectionParameters.password, madeBy: "getCredentialsFromConnectionParameters" };
}
