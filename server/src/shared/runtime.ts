/** The Node options the client starts the backend with. */
export { BACKEND_EXEC_ARGV } from '../backend/runtime';
