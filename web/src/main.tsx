import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App api={new ApiClient()} />);
