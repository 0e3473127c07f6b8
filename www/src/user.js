// The signed-in user of the demo. The logger reads `user_id` from localStorage (as the seed
// app's login flow left it), and the metrics take it as an argument.
export const DEMO_USER = 'demo-user-42';

export function signIn() {
  try {
    localStorage.setItem('user_id', DEMO_USER);
  } catch (_) {
    /* storage disabled: logs go out without a user, which the package allows */
  }
}
